package io.mbllm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Ollama's size and time wording, and the server address rules of cli.md §3. */
class FormatsTest {
    @Test
    void bytesAsOllamaPrintsThem() {
        assertEquals("0 B", OllamaFormat.bytes(0));
        assertEquals("999 B", OllamaFormat.bytes(999));
        assertEquals("1 KB", OllamaFormat.bytes(1000));
        assertEquals("1.5 KB", OllamaFormat.bytes(1500));
        assertEquals("304 KB", OllamaFormat.bytes(304_096));
        assertEquals("812 MB", OllamaFormat.bytes(812_900_000));
        assertEquals("2 GB", OllamaFormat.bytes(2_000_000_000L));
        assertEquals("2.0 GB", OllamaFormat.bytes(2_019_393_189L));
        assertEquals("1.9 GB", OllamaFormat.bytes(1_940_000_000L));
        assertEquals("10.0 GB", OllamaFormat.bytes(9_980_000_000L));
        assertEquals("12 TB", OllamaFormat.bytes(12_500_000_000_000L));
    }

    @Test
    void durationsInWords() {
        assertEquals("Less than a second", OllamaFormat.duration(Duration.ofMillis(999)));
        assertEquals("1 second", OllamaFormat.duration(Duration.ofSeconds(1)));
        assertEquals("59 seconds", OllamaFormat.duration(Duration.ofSeconds(59)));
        assertEquals("About a minute", OllamaFormat.duration(Duration.ofSeconds(119)));
        assertEquals("59 minutes", OllamaFormat.duration(Duration.ofMinutes(59)));
        assertEquals("About an hour", OllamaFormat.duration(Duration.ofMinutes(89)));
        assertEquals("2 hours", OllamaFormat.duration(Duration.ofMinutes(91)));
        assertEquals("47 hours", OllamaFormat.duration(Duration.ofHours(47)));
        assertEquals("2 days", OllamaFormat.duration(Duration.ofHours(48)));
        assertEquals("13 days", OllamaFormat.duration(Duration.ofDays(13)));
        assertEquals("2 weeks", OllamaFormat.duration(Duration.ofDays(14)));
        assertEquals("8 weeks", OllamaFormat.duration(Duration.ofDays(59)));
        assertEquals("2 months", OllamaFormat.duration(Duration.ofDays(60)));
        assertEquals("24 months", OllamaFormat.duration(Duration.ofDays(729)));
        assertEquals("2 years", OllamaFormat.duration(Duration.ofDays(731)));
        Instant now = Instant.parse("2026-08-21T10:00:00Z");
        assertEquals("3 minutes ago", OllamaFormat.relative(now.minusSeconds(200), now, "Never"));
        assertEquals("5 minutes from now", OllamaFormat.relative(now.plusSeconds(300), now, "Never"));
        assertEquals("Forever", OllamaFormat.relative(now.plus(Duration.ofDays(365 * 25)), now, "Never"));
        assertEquals("Never", OllamaFormat.relative(null, now, "Never"));
    }

    @Test
    void serverAddressRules() {
        List<String> warnings = new ArrayList<>();
        assertEquals(URI.create("http://127.0.0.1:11434"), ServerAddress.parse("", warnings::add));
        assertEquals(URI.create("http://example.com:11434"), ServerAddress.parse("example.com", warnings::add));
        assertEquals(URI.create("http://example.com:80"), ServerAddress.parse("http://example.com", warnings::add));
        assertEquals(URI.create("https://example.com:443/ollama"), ServerAddress.parse("https://example.com/ollama/", warnings::add));
        assertEquals(URI.create("http://127.0.0.1:8080"), ServerAddress.parse(":8080", warnings::add));
        assertEquals(URI.create("http://127.0.0.1:11434"), ServerAddress.parse("0.0.0.0", warnings::add));
        assertEquals(URI.create("http://[::1]:11434"), ServerAddress.parse("[::]:11434", warnings::add));
        assertEquals(URI.create("http://[fe80::1]:9000"), ServerAddress.parse("[fe80::1]:9000", warnings::add));
        assertEquals(URI.create("http://10.0.0.2:1234"), ServerAddress.parse("  \"10.0.0.2:1234\" ", warnings::add));
        assertTrue(warnings.isEmpty(), warnings.toString());
        assertEquals(URI.create("http://host:11434"), ServerAddress.parse("host:99999", warnings::add));
        assertEquals(1, warnings.size());
        assertEquals(URI.create("http://a:1"), ServerAddress.fromEnvironment(Map.of("MBLLM_HOST", "a:1", "OLLAMA_HOST", "b:2"), w -> { }));
        assertEquals(URI.create("http://b:2"), ServerAddress.fromEnvironment(Map.of("OLLAMA_HOST", "b:2"), w -> { }));
    }
}
