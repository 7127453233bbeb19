package io.mbllm.server.create;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which files an ADAPTER path stands for, and the keys they are sent under. */
class AdapterFilesTest {
    @TempDir
    Path dir;

    @Test
    void ggufFilesPeftFoldersAndKeyCollisions() throws Exception {
        Path gguf = Files.writeString(dir.resolve("lora.gguf"), "x");
        Path other = Files.createDirectories(dir.resolve("other"));
        Files.writeString(other.resolve("lora.gguf"), "y");
        Path peft = Files.createDirectories(dir.resolve("peft"));
        Files.writeString(peft.resolve("adapter_config.json"), "{}");
        Files.writeString(peft.resolve("adapter_model.safetensors"), "z");
        Set<String> taken = new HashSet<>();

        AdapterFiles a = AdapterFiles.of(gguf, taken);
        assertEquals(List.of("lora.gguf"), List.copyOf(a.files().keySet()));
        assertEquals("lora.gguf", a.scaleKey());
        AdapterFiles b = AdapterFiles.of(other, taken);
        assertEquals(List.of("adapter-2/lora.gguf"), List.copyOf(b.files().keySet()), "a folder with one .gguf");
        assertEquals(other.resolve("lora.gguf"), b.files().get("adapter-2/lora.gguf"));
        AdapterFiles c = AdapterFiles.of(peft, taken);
        assertEquals(List.of("peft/adapter_config.json", "peft/adapter_model.safetensors"), List.copyOf(c.files().keySet()));
        assertEquals("peft/adapter_model.safetensors", c.scaleKey());
        AdapterFiles d = AdapterFiles.of(peft.resolve("adapter_model.safetensors"), taken);
        assertEquals("peft-2/adapter_model.safetensors", d.scaleKey(), "the safetensors file itself, named again");
        assertEquals(peft.resolve("adapter_config.json"), d.files().get("peft-2/adapter_config.json"));
    }

    @Test
    void foldersWithoutAnAdapterAreRefused() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AdapterFiles.of(empty, new HashSet<>()));
        assertTrue(e.getMessage().startsWith("no adapter found in " + empty), e.getMessage());
        Path st = Files.writeString(Files.createDirectories(dir.resolve("st")).resolve("a.safetensors"), "z");
        e = assertThrows(IllegalArgumentException.class, () -> AdapterFiles.of(st, new HashSet<>()));
        assertEquals("adapter " + st + ": a safetensors adapter needs adapter_config.json in the same folder", e.getMessage());
    }
}
