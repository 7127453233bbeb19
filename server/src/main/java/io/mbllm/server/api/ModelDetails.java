package io.mbllm.server.api;

import java.util.List;

/** {@code details} of tags/show/ps. */
public record ModelDetails(String parentModel, String format, String family, List<String> families,
                           String parameterSize, String quantizationLevel) {}
