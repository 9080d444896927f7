package io.promptq.files.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptq.files.StoredFile;
import io.promptq.schema.FileInfo;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FileIndexTest {

    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

    private final FileIndex index = new FileIndex();

    @Test
    void listsATenantsFilesNewestFirstFromTheCursorInEitherOrder() {
        for (int i = 0; i < 4; i++) {
            index.apply("file-" + i, info("file-" + i, "acme", i));
        }
        index.apply("file-x", info("file-x", "globex", 9));

        assertThat(ids(index.list("acme", null, 10, false, f -> true))).containsExactly("file-3", "file-2", "file-1",
                "file-0");
        assertThat(ids(index.list("acme", "file-2", 2, false, f -> true))).containsExactly("file-1", "file-0");
        assertThat(ids(index.list("acme", "file-1", 10, true, f -> true))).containsExactly("file-2", "file-3");
        assertThat(ids(index.list("acme", "file-x", 1, false, f -> true)))
                .as("another tenant's id is no cursor").containsExactly("file-3");
        assertThat(ids(index.list("acme", null, 10, false, f -> !f.id().equals("file-2"))))
                .containsExactly("file-3", "file-1", "file-0");
        assertThat(index.list("nobody", null, 10, false, f -> true)).isEmpty();
    }

    @Test
    void aRewrittenFileReplacesItsEntryAndATombstoneRemovesIt() {
        index.apply("file-a", info("file-a", "acme", 1));
        index.apply("file-a", info("file-a", "acme", 5));

        assertThat(index.list("acme", null, 10, false, f -> true)).hasSize(1);
        assertThat(index.get("file-a").file().createdAt()).isEqualTo(T0.plusSeconds(5));

        index.apply("file-a", null);

        assertThat(index.get("file-a")).isNull();
        assertThat(index.list("acme", null, 10, false, f -> true)).isEmpty();
        index.apply("file-a", null);
    }

    @Test
    void namesTheFilesExpiredAtAMoment() {
        index.apply("file-old", info("file-old", "acme", 0));
        index.apply("file-new", info("file-new", "acme", 100));

        assertThat(index.expired(T0.plusSeconds(3600 + 50))).containsExactly("file-old");
        assertThat(index.expired(T0)).isEmpty();
    }

    private static FileInfo info(String id, String tenant, int createdSecond) {
        Instant created = T0.plusSeconds(createdSecond);
        return FileInfo.newBuilder().setFileId(id).setTenant(tenant).setFilename(id + ".jsonl").setPurpose("batch")
                .setBytes(10).setCreatedAt(created).setExpiresAt(created.plusSeconds(3600)).setPartition(0)
                .setFirstOffset(0).setLastOffset(0).setChunks(1).setSha256("00").build();
    }

    private static List<String> ids(List<StoredFile> files) {
        return files.stream().map(StoredFile::id).toList();
    }
}
