package io.mbllm.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.mbllm.server.api.ApiException;
import io.mbllm.server.api.Json;
import io.mbllm.server.create.CreateException;
import io.mbllm.server.create.CreateProgress;
import io.mbllm.server.create.CreateRequest;
import io.mbllm.server.create.CreateService;

/**
 * {@code POST /api/create}, {@code HEAD /api/blobs/:digest} and {@code POST /api/blobs/:digest} (api-contract
 * §3.10–3.11) on a {@link CreateService}. Create streams its progress as NDJSON (the first line starts the
 * stream, so an error found before any progress keeps its status code); when the client goes away the create
 * thread is interrupted, which cancels a running quantization and commits nothing.
 */
final class CreateEndpoints {
    private final CreateService service;

    /** @param service null when the server has no model store (every route answers 501) */
    CreateEndpoints(CreateService service) {
        this.service = service;
    }

    private CreateService service() {
        if (service == null) throw new ApiException(501, "this server has no model store to create models in");
        return service;
    }

    void create(Exchange ex) {
        CreateService s = service();
        CreateRequest req;
        try {
            req = CreateRequest.fromJson(ex.json());
        } catch (CreateException e) {
            throw new ApiException(e.status(), e.getMessage());
        }
        boolean stream = req.stream();
        CreateProgress[] last = {null};
        try {
            s.create(req, p -> {
                if (ex.gone()) Thread.currentThread().interrupt();
                last[0] = p;
                if (stream) {
                    if (!ex.started()) ex.startStream(Exchange.NDJSON);
                    ex.writeChunk(Json.write(p.toJsonMap()) + "\n");
                }
            });
        } catch (CreateException e) {
            throw new ApiException(e.status(), e.getMessage());
        } catch (InterruptedException e) {
            throw ApiException.cancelled();
        } catch (IOException e) {
            throw new ApiException(500, e.getMessage() == null ? e.toString() : e.getMessage());
        }
        if (stream) {
            ex.endStream();
        } else {
            ex.sendJson(200, last[0].toJsonMap());
        }
    }

    void headBlob(Exchange ex) {
        try {
            ex.sendEmpty(service().hasBlob(ex.pathParam()) ? 200 : 404);
        } catch (CreateException e) {
            throw new ApiException(e.status(), e.getMessage());
        }
    }

    void postBlob(Exchange ex) {
        CreateService s = service();
        String spooled = ex.header(BlobUploadHandler.FILE_HEADER);
        Path file = spooled == null ? null : Path.of(spooled);
        try (InputStream in = file != null ? Files.newInputStream(file)
                : new java.io.ByteArrayInputStream(ex.body())) {
            ex.sendEmpty(s.putBlob(ex.pathParam(), in) ? 201 : 200);
        } catch (CreateException e) {
            throw new ApiException(e.status(), e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            BlobUploadHandler.deleteQuietly(file);
        }
    }
}
