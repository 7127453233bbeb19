package io.mbllm.server.api;

import java.util.List;

/** {@code /v1/models} entries and list. */
public record OpenAiModel(String id, String object, long created, String ownedBy) {

    /** {@code {"object":"list","data":[...]}}. */
    public record ModelList(String object, List<OpenAiModel> data) {}
}
