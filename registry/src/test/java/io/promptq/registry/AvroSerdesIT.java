package io.promptq.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.promptq.registry.testdata.Greeting;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import io.promptq.testkit.UniqueNames;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The serdes against a real Kafka broker and a real Confluent-compatible registry. */
@PromptqCluster
class AvroSerdesIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final ClusterInfo cluster;
    private final SchemaRegistryClient producerRegistry;
    private final SchemaRegistryClient consumerRegistry;

    AvroSerdesIT(ClusterInfo cluster) {
        this.cluster = cluster;
        this.producerRegistry = SchemaRegistryClient.create(RegistryConfig.of(cluster.schemaRegistryUrl()));
        // a second client, so the consumer really fetches the writer schema from the registry
        this.consumerRegistry = SchemaRegistryClient.create(RegistryConfig.of(cluster.schemaRegistryUrl()));
    }

    @AfterEach
    void closeClients() {
        producerRegistry.close();
        consumerRegistry.close();
    }

    @Test
    void recordProducedWithOurSerializerIsConsumedWithOurDeserializerUnchanged() {
        String topic = newTopic();
        Greeting sent = Greeting.newBuilder().setId("g-1").setText("hello, registry").setCount(42).setLang("de").build();

        produce(topic, AvroSerdes.specific(Greeting.class, producerRegistry, true).serializer(), sent);
        List<Greeting> received = consume(topic,
                AvroSerdes.specific(Greeting.class, consumerRegistry, true).deserializer(), 1);

        assertThat(received).containsExactly(sent);
        assertThat(System.getProperty("org.apache.avro.SERIALIZABLE_PACKAGES"))
                .as("decoding must not depend on the property").isNull();
    }

    @Test
    void schemaIdInTheRecordResolvesThroughTheRegistryRestApiToOurSchema() throws Exception {
        String topic = newTopic();
        produce(topic, AvroSerdes.specific(Greeting.class, producerRegistry, true).serializer(),
                Greeting.newBuilder().setId("g-2").setText("t").setCount(1).build());
        byte[] bytes = consume(topic, new ByteArrayDeserializer(), 1).getFirst();

        assertThat(bytes[0]).isZero();
        int schemaId = ByteBuffer.wrap(bytes, 1, 4).getInt();
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                            URI.create(cluster.schemaRegistryUrl() + "/schemas/ids/" + schemaId)).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(200);
            String schemaJson = new ObjectMapper().readTree(response.body()).get("schema").asText();
            assertThat(new Schema.Parser().parse(schemaJson)).isEqualTo(Greeting.getClassSchema());
        }
        assertThat(consumerRegistry.idOf(AvroSerdes.subjectName(topic, false), Greeting.getClassSchema()))
                .isEqualTo(schemaId);
    }

    @Test
    void unknownSchemaIdSurfacesAsTheCauseOfARecordDeserializationException() {
        String topic = newTopic();
        byte[] unknownId = ByteBuffer.allocate(9).put((byte) 0).putInt(999_999).put(new byte[] {2, 'h', 1, 2}).array();
        produce(topic, new ByteArraySerializer(), unknownId);

        assertThatThrownBy(() -> consume(topic, AvroSerdes.specific(Greeting.class, consumerRegistry, true)
                .deserializer(), 1))
                .isInstanceOf(RecordDeserializationException.class)
                .cause()
                .isInstanceOfSatisfying(UnknownSchemaIdException.class, e -> assertThat(e.schemaId()).isEqualTo(999_999))
                .hasMessageContaining("999999");
    }

    @Test
    void garbageBytesSurfaceAsUnknownMagicByteExceptionCause() {
        String topic = newTopic();
        produce(topic, new ByteArraySerializer(), "plain text, not Avro".getBytes());

        assertThatThrownBy(() -> consume(topic, AvroSerdes.specific(Greeting.class, consumerRegistry, true)
                .deserializer(), 1))
                .isInstanceOf(RecordDeserializationException.class)
                .cause()
                .isInstanceOf(UnknownMagicByteException.class)
                .hasMessageContaining(topic)
                .hasMessageContaining("0x70");
    }

    private String newTopic() {
        String topic = UniqueNames.of("registry-it");
        cluster.createTopics(1, topic);
        return topic;
    }

    private <V> void produce(String topic, Serializer<V> serializer, V value) {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, V> producer = new KafkaProducer<>(config, new StringSerializer(), serializer)) {
            producer.send(new ProducerRecord<>(topic, "key", value)).get();
        } catch (Exception e) {
            throw new AssertionError("Producing to " + topic + " failed", e);
        }
    }

    private <V> List<V> consume(String topic, Deserializer<V> deserializer, int count) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<V> values = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(config, new StringDeserializer(), deserializer)) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (values.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, V> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
            }
        }
        assertThat(values).as("records consumed from " + topic).hasSize(count);
        return values;
    }
}
