package io.mbllm.server.store;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A SHA-256 content digest. Written {@code sha256:<hex>} in manifests and the API, {@code sha256-<hex>} as a
 * blob file name; the hex is kept lower-case.
 *
 * @param hex 64 lower-case hex digits
 */
public record Digest(String hex) {

    private static final Pattern FORMAT = Pattern.compile("sha256[:-][0-9a-fA-F]{64}");
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    public Digest {
        if (hex == null || !HEX.matcher(hex).matches()) {
            throw new IllegalArgumentException("not 64 lower-case hex digits: " + hex);
        }
    }

    /** Parses {@code sha256:<64 hex>} or {@code sha256-<64 hex>} (either case of hex). */
    public static Digest parse(String s) throws InvalidDigestException {
        if (s == null || !FORMAT.matcher(s).matches()) {
            throw new InvalidDigestException();
        }
        return new Digest(s.substring(7).toLowerCase(java.util.Locale.ROOT));
    }

    /** The digest of {@code bytes}. */
    public static Digest of(byte[] bytes) {
        return fromRaw(sha256().digest(bytes));
    }

    /** The digest from a finished SHA-256. */
    public static Digest fromRaw(byte[] raw) {
        return new Digest(HexFormat.of().formatHex(raw));
    }

    /** A fresh SHA-256 instance. */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** The blob file name {@code sha256-<hex>}. */
    public String fileName() {
        return "sha256-" + hex;
    }

    /** {@code sha256:<hex>}. */
    @Override
    public String toString() {
        return "sha256:" + hex;
    }
}
