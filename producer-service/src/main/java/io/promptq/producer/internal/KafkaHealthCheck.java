package io.promptq.producer.internal;

import io.promptq.http.HealthCheck;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Ready when a broker answers within the timeout and the jobs topic exists. */
public final class KafkaHealthCheck implements HealthCheck {

    private final Admin admin;
    private final String topic;
    private final Duration timeout;

    public KafkaHealthCheck(Admin admin, String topic, Duration timeout) {
        this.admin = admin;
        this.topic = topic;
        this.timeout = timeout;
    }

    @Override
    public Result check() {
        int ms = (int) timeout.toMillis();
        try {
            int brokers = admin.describeCluster(new DescribeClusterOptions().timeoutMs(ms)).nodes()
                    .get(ms, TimeUnit.MILLISECONDS).size();
            TopicDescription description = admin.describeTopics(List.of(topic), new DescribeTopicsOptions().timeoutMs(ms))
                    .allTopicNames().get(ms, TimeUnit.MILLISECONDS).get(topic);
            return Result.up(brokers + " broker(s); topic " + topic + " has " + description.partitions().size()
                    + " partition(s)");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Result.down("topic " + topic + " does not exist");
            }
            return Result.down("Kafka unreachable: " + e.getCause());
        } catch (TimeoutException e) {
            return Result.down("no broker answered within " + ms + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Result.down("interrupted");
        }
    }
}
