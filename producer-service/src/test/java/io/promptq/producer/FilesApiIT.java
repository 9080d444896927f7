package io.promptq.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FileDeleted;
import com.openai.models.files.FileListParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.client.JobIdKey;
import io.promptq.client.ValidationRules;
import io.promptq.files.FilesConfig;
import io.promptq.producer.config.AuthTokens;
import io.promptq.producer.config.ProducerServiceConfig;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAI Files API on a real producer, broker and registry, driven by the official OpenAI Java SDK and by plain
 * multipart requests: a byte-identical round trip, the size limit, OpenAI's error envelope, tenants with and without
 * authentication; and, opt-in, the heap while a 200 MB file goes up and comes back down.
 */
@PromptqCluster
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FilesApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SMALL_LIMIT = 256 * 1024;

    private ProducerService open;
    private ProducerService secured;
    private HttpClient http;
    @TempDir
    Path dir;

    @BeforeAll
    void start(ClusterInfo cluster) {
        ProducerServiceConfig base = ItSupport.config(cluster.bootstrapServers(), cluster.schemaRegistryUrl(),
                ItSupport.uniqueTopics("files-it"), ValidationRules.defaults(), Duration.ofSeconds(30));
        open = ProducerService.start(base.toBuilder().defaultTenant("open-tenant").build(),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        ProducerServiceConfig auth = base.toBuilder()
                .authTokens(AuthTokens.parse("acme-token=acme,globex-token=globex"))
                .client(base.client().toBuilder().jobIdKey(JobIdKey.of("files-it-secret-0123456789abcdef0123456789"))
                        .build())
                .files(FilesConfig.defaults().withMaxBytes(SMALL_LIMIT))
                .build();
        secured = ProducerService.start(auth, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    void stop() {
        http.close();
        open.close();
        secured.close();
    }

    @Test
    void theOfficialSdkUploadsRetrievesListsDownloadsAndDeletesAFileByteIdentical() throws Exception {
        byte[] content = jsonl(20_000);
        Path file = dir.resolve("requests.jsonl");
        Files.write(file, content);
        OpenAIClient sdk = sdk(open, "sk-dummy-key-ignored-without-tokens");

        FileObject created = sdk.files().create(FileCreateParams.builder().file(file).purpose(FilePurpose.BATCH).build());

        assertThat(created.id()).startsWith("file-");
        assertThat(created.bytes()).isEqualTo(content.length);
        assertThat(created.filename()).isEqualTo("requests.jsonl");
        assertThat(created.purpose()).hasToString("batch");
        assertThat(created.expiresAt()).hasValueSatisfying(at -> assertThat(at).isGreaterThan(created.createdAt()));
        assertThat(sdk.files().retrieve(created.id())).isEqualTo(created);
        assertThat(sdk.files().list(FileListParams.builder().purpose("batch").limit(100).build()).data())
                .extracting(FileObject::id).contains(created.id());
        try (HttpResponse response = sdk.files().content(created.id()); InputStream body = response.body()) {
            assertThat(body.readAllBytes()).isEqualTo(content);
        }
        assertThat(sdk(open, "sk-another-dummy").files().retrieve(created.id()).id())
                .as("with authentication off every key is the default tenant").isEqualTo(created.id());

        FileDeleted deleted = sdk.files().delete(created.id());

        assertThat(deleted.deleted()).isTrue();
        assertThatThrownBy(() -> sdk.files().retrieve(created.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> sdk.files().delete(created.id())).isInstanceOf(NotFoundException.class);
    }

    @Test
    void listsNewestFirstWithACursorAndAnAscendingOrder() throws Exception {
        OpenAIClient sdk = sdk(secured, "globex-token");
        String first = sdk.files().create(params("a.jsonl")).id();
        Thread.sleep(5);
        String second = sdk.files().create(params("b.jsonl")).id();
        Thread.sleep(5);
        String third = sdk.files().create(params("c.jsonl")).id();

        JsonNode page = json(get(secured, "/v1/files?limit=2", "globex-token"));
        assertThat(page.path("object").asText()).isEqualTo("list");
        assertThat(ids(page)).containsExactly(third, second);
        assertThat(page.path("has_more").asBoolean()).isTrue();
        assertThat(page.path("first_id").asText()).isEqualTo(third);
        assertThat(page.path("last_id").asText()).isEqualTo(second);
        JsonNode next = json(get(secured, "/v1/files?limit=2&after=" + second, "globex-token"));
        assertThat(ids(next)).containsExactly(first);
        assertThat(next.path("has_more").asBoolean()).isFalse();
        assertThat(ids(json(get(secured, "/v1/files?order=asc", "globex-token")))).containsExactly(first, second, third);
        assertThat(get(secured, "/v1/files?limit=0", "globex-token").statusCode()).isEqualTo(400);
        assertThat(get(secured, "/v1/files?order=sideways", "globex-token").statusCode()).isEqualTo(400);
    }

    @Test
    void aFileOverTheLimitIs413InOpenAisEnvelopeAndNothingIsStored() throws Exception {
        // Just over the limit: refused by the multipart parser's file limit while streaming.
        byte[] tooLarge = jsonl((SMALL_LIMIT + 20_000) / jsonl(1).length);
        assertThat(tooLarge.length).isGreaterThan((int) SMALL_LIMIT).isLessThan((int) SMALL_LIMIT + 40_000);
        String before = get(secured, "/v1/files?limit=10000", "acme-token").body();

        java.net.http.HttpResponse<String> response = upload(secured, "acme-token", "batch",
                BodyPublishers.ofByteArray(tooLarge), "big.jsonl");
        // Far over it: refused by its Content-Length before the body is read.
        java.net.http.HttpResponse<String> declared = upload(secured, "acme-token", "batch",
                BodyPublishers.ofByteArray(jsonl(10_000)), "bigger.jsonl");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(413);
        assertThat(json(response).path("error").path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(json(response).path("error").path("message").asText()).contains(Long.toString(SMALL_LIMIT));
        assertThat(declared.statusCode()).as(declared.body()).isEqualTo(413);
        assertThat(get(secured, "/v1/files?limit=10000", "acme-token").body()).isEqualTo(before);
        java.net.http.HttpResponse<String> fits = upload(secured, "acme-token", "batch",
                BodyPublishers.ofByteArray(jsonl(100)), "small.jsonl");
        assertThat(fits.statusCode()).as(fits.body()).isEqualTo(200);
    }

    @Test
    void aBadPurposeOrAMissingFileIs400InOpenAisEnvelope() throws Exception {
        Path file = dir.resolve("x.jsonl");
        Files.write(file, jsonl(3));

        assertThatThrownBy(() -> sdk(open, "sk-x").files().create(
                        FileCreateParams.builder().file(file).purpose(FilePurpose.FINE_TUNE).build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.getMessage()).contains("fine-tune").contains("not a supported purpose");
                    assertThat(e.param()).contains("purpose");
                });

        java.net.http.HttpResponse<String> noFile = send(open, null, "multipart/form-data; boundary=b",
                BodyPublishers.ofString("--b\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n--b--\r\n"));
        assertThat(noFile.statusCode()).as(noFile.body()).isEqualTo(400);
        JsonNode error = json(noFile).path("error");
        assertThat(error.path("param").asText()).isEqualTo("file");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("message").asText()).contains("file");
    }

    @Test
    void withTokensAFileNeedsATokenAndAnotherTenantsFileIsNotFound() throws Exception {
        java.net.http.HttpResponse<String> anonymous = upload(secured, null, "batch",
                BodyPublishers.ofByteArray(jsonl(2)), "a.jsonl");
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(json(anonymous).path("error").path("message").asText()).isNotBlank();
        assertThat(get(secured, "/v1/files", null).statusCode()).isEqualTo(401);

        FileObject acme = sdk(secured, "acme-token").files().create(params("mine.jsonl"));
        OpenAIClient globex = sdk(secured, "globex-token");

        assertThatThrownBy(() -> globex.files().retrieve(acme.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> globex.files().content(acme.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> globex.files().delete(acme.id())).isInstanceOf(NotFoundException.class);
        assertThat(globex.files().list().data()).extracting(FileObject::id).doesNotContain(acme.id());
        assertThat(sdk(secured, "acme-token").files().retrieve(acme.id()).id()).isEqualTo(acme.id());
    }

    /**
     * An opt-in measurement ({@code -Dpromptq.bench=true}), not part of the suite: prints how far the heap grows while
     * a 200 MB file goes up and down, and checks the file comes back byte-identical.
     */
    @Test
    @EnabledIfSystemProperty(named = "promptq.bench", matches = "true")
    void measuresHeapGrowthWhileUploadingAndDownloadingTwoHundredMegabytes() throws Exception {
        long size = 200L * 1024 * 1024 - 64 * 1024;
        Path file = dir.resolve("large.jsonl");
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (OutputStream out = Files.newOutputStream(file)) {
            byte[] block = new byte[1024 * 1024];
            new Random(7).nextBytes(block);
            for (long written = 0; written < size; written += block.length) {
                int n = (int) Math.min(block.length, size - written);
                out.write(block, 0, n);
                digest.update(block, 0, n);
            }
        }
        String expectedSha = HexFormat.of().formatHex(digest.digest());
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        long baseline = memory.getHeapMemoryUsage().getUsed();
        AtomicLong peak = new AtomicLong(baseline);
        AtomicLong livePeak = new AtomicLong(baseline);
        AtomicBoolean sampling = new AtomicBoolean(true);
        // Used heap every 20 ms (garbage included), and every 500 ms the live heap right after a full collection.
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            for (int i = 1; sampling.get(); i++) {
                peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                if (i % 25 == 0) {
                    System.gc();
                    livePeak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        long uploadStart = System.nanoTime();
        java.net.http.HttpResponse<String> uploaded = upload(open, null, "batch", BodyPublishers.ofFile(file),
                "large.jsonl");
        long uploadMs = (System.nanoTime() - uploadStart) / 1_000_000;
        assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(200);
        String id = json(uploaded).path("id").asText();
        long uploadPeak = peak.get() - baseline;
        long uploadLivePeak = livePeak.get() - baseline;
        long downloadStart = System.nanoTime();
        java.net.http.HttpResponse<InputStream> download = http.send(
                HttpRequest.newBuilder(URI.create(base(open) + "/v1/files/" + id + "/content")).GET()
                        .timeout(Duration.ofMinutes(5)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofInputStream());
        MessageDigest downloaded = MessageDigest.getInstance("SHA-256");
        long bytes = 0;
        try (InputStream in = download.body()) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                downloaded.update(buffer, 0, n);
                bytes += n;
            }
        }
        long downloadMs = (System.nanoTime() - downloadStart) / 1_000_000;
        sampling.set(false);
        sampler.join();

        assertThat(bytes).isEqualTo(size);
        assertThat(HexFormat.of().formatHex(downloaded.digest())).isEqualTo(expectedSha);
        System.out.printf("FilesApiIT measurement: %d MB file, -Xmx %d MB, live heap at start %d MB. Live heap growth"
                        + " (after a full GC, every 500 ms): peak %d MB during the upload, %d MB over upload and download."
                        + " Used heap growth (every 20 ms, garbage included): %d MB upload, %d MB overall."
                        + " Upload %d ms, download %d ms%n",
                size >> 20, memory.getHeapMemoryUsage().getMax() >> 20, baseline >> 20, uploadLivePeak >> 20,
                (livePeak.get() - baseline) >> 20, uploadPeak >> 20, (peak.get() - baseline) >> 20, uploadMs,
                downloadMs);
    }

    private static FileCreateParams params(String name) throws IOException {
        Path file = Files.createTempFile("files-it", name);
        Files.write(file, jsonl(2));
        return FileCreateParams.builder().file(file).purpose(FilePurpose.BATCH).build();
    }

    private java.net.http.HttpResponse<String> upload(ProducerService service, String token, String purpose,
            BodyPublisher content, String filename) throws Exception {
        String boundary = "promptq-files-it-boundary";
        BodyPublisher body = BodyPublishers.concat(
                BodyPublishers.ofString("--" + boundary + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n"
                        + purpose + "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
                        + filename + "\"\r\nContent-Type: application/jsonl\r\n\r\n"),
                content,
                BodyPublishers.ofString("\r\n--" + boundary + "--\r\n"));
        return send(service, token, "multipart/form-data; boundary=" + boundary, body);
    }

    private java.net.http.HttpResponse<String> send(ProducerService service, String token, String contentType,
            BodyPublisher body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base(service) + "/v1/files"))
                .timeout(Duration.ofMinutes(5)).header("Content-Type", contentType).POST(body);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    private java.net.http.HttpResponse<String> get(ProducerService service, String path, String token)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base(service) + path))
                .timeout(Duration.ofSeconds(60)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    private static OpenAIClient sdk(ProducerService service, String key) {
        return OpenAIOkHttpClient.builder().baseUrl(base(service) + "/v1").apiKey(key).maxRetries(0)
                .timeout(Duration.ofSeconds(60)).build();
    }

    private static String base(ProducerService service) {
        return "http://127.0.0.1:" + service.port();
    }

    private static List<String> ids(JsonNode page) {
        return page.path("data").findValuesAsText("id");
    }

    private static JsonNode json(java.net.http.HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    private static byte[] jsonl(long lines) {
        StringBuilder text = new StringBuilder();
        for (long i = 0; i < lines; i++) {
            text.append("{\"custom_id\":\"req-").append(i).append("\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\"")
                    .append(",\"body\":{\"model\":\"mock-1\",\"messages\":[]}}\n");
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }
}
