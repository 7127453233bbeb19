package io.mbllm.server.http;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** RFC 3339 timestamps with an offset (api-contract §0.3). */
final class Times {
    private Times() {}

    /** Now, in UTC ({@code 2026-08-21T10:00:00.123Z}). */
    static String now() {
        return format(Instant.now());
    }

    static String format(Instant t) {
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(OffsetDateTime.ofInstant(t, ZoneOffset.UTC));
    }
}
