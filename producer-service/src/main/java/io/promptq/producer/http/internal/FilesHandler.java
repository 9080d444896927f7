package io.promptq.producer.http.internal;

import io.javalin.http.Context;
import io.promptq.files.FileIds;
import io.promptq.files.FileStore;
import io.promptq.files.FileTooLargeException;
import io.promptq.files.FilesConfig;
import io.promptq.files.NewFile;
import io.promptq.files.StoredFile;
import io.promptq.producer.http.internal.OpenAiCompat.ApiError;
import jakarta.servlet.MultipartConfigElement;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Part;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenAI Files API on the producer: {@code POST /v1/files} (multipart {@code file} + {@code purpose=batch}),
 * {@code GET /v1/files}, {@code GET /v1/files/{id}}, {@code GET /v1/files/{id}/content}, {@code DELETE
 * /v1/files/{id}}. An upload is spooled by Jetty's multipart parser (to a temporary file beyond
 * {@value #IN_MEMORY_BYTES} bytes) and streamed from there into the {@link FileStore}; a download streams the store's
 * chunks to the response. Neither holds a file in memory. Limits are {@link FilesConfig#maxBytes()}, not the job API's
 * body limits.
 */
public final class FilesHandler {

    private static final Logger log = LoggerFactory.getLogger(FilesHandler.class);
    /** Jetty's request attribute holding a request's multipart settings. */
    private static final String MULTIPART_CONFIG = "org.eclipse.jetty.multipartConfig";
    /** Parts up to this size stay in memory while parsing; larger ones go to a temporary file. */
    static final int IN_MEMORY_BYTES = 64 * 1024;
    /** Room in a multipart request for the boundaries, headers and the purpose field besides the file. */
    private static final long MULTIPART_OVERHEAD = 64 * 1024;
    private static final int MAX_LIST = 10_000;

    private final FileStore store;
    private final FilesConfig config;
    private final OpenAiCompat compat;
    private final Clock clock;
    private final String spoolDirectory = System.getProperty("java.io.tmpdir");

    public FilesHandler(FileStore store, FilesConfig config, OpenAiCompat compat, Clock clock) {
        this.store = store;
        this.config = config;
        this.compat = compat;
        this.clock = clock;
    }

    /** {@code POST /v1/files}. */
    public void upload(Context ctx) {
        String tenant = compat.tenant(ctx);
        long max = config.maxBytes();
        if (ctx.req().getContentLengthLong() > max + MULTIPART_OVERHEAD) {
            throw tooLarge();
        }
        if (!ctx.isMultipartFormData()) {
            throw ApiError.invalid("file", "send multipart/form-data with a 'file' part and 'purpose'");
        }
        ctx.req().setAttribute(MULTIPART_CONFIG,
                new MultipartConfigElement(spoolDirectory, max, max + MULTIPART_OVERHEAD, IN_MEMORY_BYTES));
        Collection<Part> parts = parts(ctx);
        try {
            String purpose = text(part(parts, "purpose"));
            if (purpose == null || purpose.isBlank()) {
                throw ApiError.invalid("purpose", "Missing required parameter: 'purpose'.");
            }
            if (!StoredFile.PURPOSE_BATCH.equals(purpose)) {
                throw ApiError.invalid("purpose", "'" + purpose + "' is not a supported purpose: only '"
                        + StoredFile.PURPOSE_BATCH + "' files can be uploaded.");
            }
            Part file = part(parts, "file");
            if (file == null || file.getSubmittedFileName() == null) {
                throw ApiError.invalid("file", "Missing required parameter: 'file'.");
            }
            Instant now = clock.instant();
            NewFile newFile = new NewFile(FileIds.newId(), tenant, filename(file.getSubmittedFileName()), purpose,
                    now, now.plus(config.retention()));
            StoredFile stored;
            try (InputStream content = file.getInputStream()) {
                stored = store.put(newFile, content);
            } catch (FileTooLargeException e) {
                throw tooLarge();
            } catch (IOException e) {
                log.warn("Storing upload {} of tenant {} failed: {}", newFile.id(), tenant, e.toString());
                throw unavailable();
            }
            ctx.json(fileObject(stored));
        } finally {
            for (Part part : parts) {
                try {
                    part.delete();
                } catch (IOException e) {
                    log.debug("Deleting an upload's temporary file failed: {}", e.toString());
                }
            }
        }
    }

    /** {@code GET /v1/files}: the tenant's files, newest first unless {@code order=asc}. */
    public void list(Context ctx) {
        String tenant = compat.tenant(ctx);
        int limit = limit(ctx.queryParam("limit"));
        String order = ctx.queryParam("order");
        if (order != null && !order.equals("asc") && !order.equals("desc")) {
            throw ApiError.invalid("order", "order must be 'asc' or 'desc', but was '" + order + "'");
        }
        String purpose = ctx.queryParam("purpose");
        String after = ctx.queryParam("after");
        List<StoredFile> page = store.list(tenant, purpose == null || purpose.isBlank() ? null : purpose,
                after == null || after.isBlank() ? null : after, limit + 1, "asc".equals(order));
        boolean more = page.size() > limit;
        List<StoredFile> data = more ? page.subList(0, limit) : page;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("object", "list");
        body.put("data", data.stream().map(FilesHandler::fileObject).toList());
        body.put("first_id", data.isEmpty() ? null : data.getFirst().id());
        body.put("last_id", data.isEmpty() ? null : data.getLast().id());
        body.put("has_more", more);
        ctx.json(body);
    }

    /** {@code GET /v1/files/{id}}. */
    public void retrieve(Context ctx) {
        ctx.json(fileObject(find(ctx)));
    }

    /** {@code GET /v1/files/{id}/content}: the bytes, streamed from the store. */
    public void content(Context ctx) throws IOException {
        StoredFile file = find(ctx);
        InputStream content;
        try {
            content = store.open(file);
        } catch (FileNotFoundException e) {
            throw notFound(file.id());
        }
        try (content) {
            ctx.contentType("application/octet-stream");
            ctx.header("Content-Disposition", "attachment; filename=\"" + file.filename().replace("\"", "") + "\"");
            OutputStream out = ctx.outputStream();
            content.transferTo(out);
            out.flush();
        }
    }

    /** {@code DELETE /v1/files/{id}}. */
    public void delete(Context ctx) {
        String tenant = compat.tenant(ctx);
        String id = ctx.pathParam("id");
        boolean deleted;
        try {
            deleted = FileIds.looksValid(id) && store.delete(tenant, id);
        } catch (IOException e) {
            log.warn("Deleting file {} of tenant {} failed: {}", id, tenant, e.toString());
            throw unavailable();
        }
        if (!deleted) {
            throw notFound(id);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("object", "file");
        body.put("deleted", true);
        ctx.json(body);
    }

    /** A stored file as OpenAI's FileObject. */
    public static Map<String, Object> fileObject(StoredFile file) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", file.id());
        body.put("object", "file");
        body.put("bytes", file.bytes());
        body.put("created_at", file.createdAt().getEpochSecond());
        body.put("filename", file.filename());
        body.put("purpose", file.purpose());
        body.put("status", "processed");
        body.put("status_details", null);
        body.put("expires_at", file.expiresAt().getEpochSecond());
        return body;
    }

    private StoredFile find(Context ctx) {
        String tenant = compat.tenant(ctx);
        String id = ctx.pathParam("id");
        if (!FileIds.looksValid(id)) {
            throw notFound(id);
        }
        return store.get(tenant, id).orElseThrow(() -> notFound(id));
    }

    private Collection<Part> parts(Context ctx) {
        try {
            return ctx.req().getParts();
        } catch (IllegalStateException e) {
            if (e.getMessage() != null && e.getMessage().contains("exceeds")) {
                throw tooLarge();
            }
            throw ApiError.invalid("file", "the multipart body could not be read: " + e.getMessage());
        } catch (ServletException | IOException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause.getMessage() != null && cause.getMessage().contains("exceeds")) {
                throw tooLarge();
            }
            throw ApiError.invalid("file", "the multipart body could not be read: " + cause.getMessage());
        }
    }

    private static @Nullable Part part(Collection<Part> parts, String name) {
        for (Part part : parts) {
            if (name.equals(part.getName())) {
                return part;
            }
        }
        return null;
    }

    private static @Nullable String text(@Nullable Part part) {
        if (part == null) {
            return null;
        }
        try (InputStream in = part.getInputStream()) {
            return new String(in.readNBytes(256), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw ApiError.invalid(part.getName(), "the part could not be read");
        }
    }

    private static String filename(String submitted) {
        String name = submitted.substring(Math.max(submitted.lastIndexOf('/'), submitted.lastIndexOf('\\')) + 1);
        return name.isBlank() ? "file" : name.length() > 255 ? name.substring(0, 255) : name;
    }

    private static int limit(@Nullable String text) {
        if (text == null || text.isBlank()) {
            return MAX_LIST;
        }
        try {
            int limit = Integer.parseInt(text.trim());
            if (limit >= 1 && limit <= MAX_LIST) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiError.invalid("limit", "limit must be an integer from 1 to " + MAX_LIST + ", but was '" + text + "'");
    }

    private ApiError tooLarge() {
        return new ApiError(413, "File exceeds the maximum size of " + config.maxBytes() + " bytes.", "file",
                "file_too_large");
    }

    private static ApiError notFound(String id) {
        return ApiError.notFound("No such File object: " + id);
    }

    private static ApiError unavailable() {
        return new ApiError(503, "The file store is unavailable; try again.", null, "service_unavailable");
    }
}
