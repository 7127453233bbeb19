package io.mbllm.engine.tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Minimal extraction of fields from the llama.cpp oracle JSON files (flat int arrays and strings). */
final class OracleJson {
    private final String json;

    OracleJson(Path file) throws IOException {
        json = Files.readString(file, StandardCharsets.UTF_8);
    }

    int[] ints(String field) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(field) + "\"\\s*:\\s*\\[([^\\]]*)]").matcher(json);
        if (!m.find()) throw new AssertionError("no array " + field);
        String body = m.group(1).strip();
        if (body.isEmpty()) return new int[0];
        return java.util.Arrays.stream(body.split(",")).map(String::strip).mapToInt(Integer::parseInt).toArray();
    }

    /** All values of a string field, in order (e.g. every step's {@code piece_hex}). */
    List<String> strings(String field) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(field) + "\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
        List<String> out = new ArrayList<>();
        while (m.find()) out.add(unescape(m.group(1)));
        return out;
    }

    /** All values of an int field, in order (e.g. every step's {@code token}). */
    int[] allInts(String field) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(field) + "\"\\s*:\\s*(-?\\d+)").matcher(json);
        List<Integer> out = new ArrayList<>();
        while (m.find()) out.add(Integer.parseInt(m.group(1)));
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    private static String unescape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'u' -> {
                    sb.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> sb.append(e);
            }
        }
        return sb.toString();
    }
}
