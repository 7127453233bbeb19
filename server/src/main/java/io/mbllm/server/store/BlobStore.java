package io.mbllm.server.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The content-addressed blobs of a store: {@code blobs/sha256-<hex>}. A write streams into a temp file in the
 * same directory while hashing, fsyncs, checks the digest, then renames atomically; on any failure nothing is
 * left behind. An existing blob is reused (its mtime touched).
 */
public final class BlobStore {
    private static final Pattern BLOB_NAME = Pattern.compile("sha256-[0-9a-f]{64}");
    private static final int BUFFER = 1 << 16;

    private final Path dir;
    private final StoreState state;

    BlobStore(Path dir, StoreState state) {
        this.dir = dir;
        this.state = state;
    }

    /** The blobs directory. */
    public Path dir() {
        return dir;
    }

    /** Where blob {@code d} lives (whether or not it exists). */
    public Path path(Digest d) {
        return dir.resolve(d.fileName());
    }

    /** True when blob {@code d} is stored. */
    public boolean exists(Digest d) {
        return Files.isRegularFile(path(d));
    }

    /** The size of blob {@code d}. */
    public long size(Digest d) throws BlobNotFoundException, IOException {
        try {
            return Files.size(path(d));
        } catch (NoSuchFileException e) {
            throw new BlobNotFoundException(d);
        }
    }

    /** Stores {@code bytes}. */
    public BlobWrite write(byte[] bytes) throws IOException {
        try {
            return write(new java.io.ByteArrayInputStream(bytes), null);
        } catch (DigestMismatchException e) {
            throw new IllegalStateException(e); // no expected digest
        }
    }

    /**
     * Streams {@code in} to the store (the stream is read to its end, not closed). When {@code expected} is
     * given and the bytes hash differently, nothing is stored and {@link DigestMismatchException} is thrown.
     */
    public BlobWrite write(InputStream in, Digest expected) throws DigestMismatchException, IOException {
        return write(in, expected, null);
    }

    BlobWrite write(InputStream in, Digest expected, ModelBuilder pinFor) throws DigestMismatchException, IOException {
        Path tmp = TempFiles.create(dir);
        boolean moved = false;
        try {
            MessageDigest md = Digest.sha256();
            long size = 0;
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                byte[] buf = new byte[BUFFER];
                ByteBuffer bb = ByteBuffer.wrap(buf);
                for (int n; (n = in.read(buf)) >= 0; ) {
                    md.update(buf, 0, n);
                    bb.clear().limit(n);
                    while (bb.hasRemaining()) {
                        ch.write(bb);
                    }
                    size += n;
                }
                ch.force(true);
            }
            Digest actual = Digest.fromRaw(md.digest());
            if (expected != null && !expected.equals(actual)) {
                throw new DigestMismatchException(expected, actual);
            }
            Path target = path(actual);
            boolean created;
            state.lock.lock();
            try {
                if (Files.isRegularFile(target) && Files.size(target) == size) {
                    Files.setLastModifiedTime(target, FileTime.from(Instant.now()));
                    created = false;
                } else {
                    setMode0644(tmp);
                    moveAtomically(tmp, target);
                    moved = true;
                    fsyncDir(dir);
                    created = true;
                }
                if (pinFor != null) {
                    pinFor.pin(actual);
                }
            } finally {
                state.lock.unlock();
            }
            return new BlobWrite(actual, size, created);
        } finally {
            if (!moved) {
                TempFiles.deleteQuietly(tmp);
            }
        }
    }

    /** Reads a small blob whole; fails when it is longer than {@code limit} bytes. */
    public byte[] readSmall(Digest d, long limit) throws BlobNotFoundException, CorruptStoreException, IOException {
        long size = size(d);
        if (size > limit) {
            throw new CorruptStoreException("blob " + d + " is " + size + " bytes, more than the " + limit
                    + " expected for its media type");
        }
        try {
            return Files.readAllBytes(path(d));
        } catch (NoSuchFileException e) {
            throw new BlobNotFoundException(d);
        }
    }

    /** Every stored blob digest (files with a valid blob name). */
    public List<Digest> list() throws IOException {
        List<Digest> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (BLOB_NAME.matcher(n).matches() && Files.isRegularFile(p)) {
                    out.add(new Digest(n.substring(7)));
                }
            }
        }
        return out;
    }

    /**
     * Removes orphan temp files (their writer died) and other files whose name is no blob name and that are
     * older than an hour (foreign partial downloads). Returns how many were removed.
     */
    int cleanOrphans(Instant now) throws IOException {
        int removed = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (BLOB_NAME.matcher(n).matches() || !Files.isRegularFile(p)) {
                    continue;
                }
                boolean orphan = TempFiles.isTemp(p) ? TempFiles.isOrphan(p, now)
                        : Files.getLastModifiedTime(p).toInstant().plus(Duration.ofHours(1)).isBefore(now);
                if (orphan && Files.deleteIfExists(p)) {
                    removed++;
                }
            }
        }
        return removed;
    }

    /** Deletes blob {@code d}; the caller holds the store lock and has checked it is unreferenced. */
    boolean delete(Digest d) throws IOException {
        return Files.deleteIfExists(path(d));
    }

    static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static void fsyncDir(Path d) {
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not every platform can sync a directory; the rename itself is atomic
        }
    }

    static void setMode0644(Path p) {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (IOException | UnsupportedOperationException ignored) {
            // non-POSIX file system: default permissions
        }
    }
}
