package io.mbllm.server.create;

import java.nio.file.Path;

/**
 * Expands a Modelfile {@code FROM}/{@code ADAPTER} argument to a path (modelfile.md §3): absolute as is,
 * {@code ~} and {@code ~/x} from the user's home, {@code ~user/x} from that user's home (taken as a sibling of
 * this user's home directory), anything else relative to the directory holding the Modelfile.
 */
public final class ModelfilePaths {
    private ModelfilePaths() {
    }

    /** The path {@code arg} names, relative paths resolved against {@code baseDir}. */
    public static Path expand(String arg, Path baseDir, Path home) {
        if (arg.equals("~")) {
            return home;
        }
        if (arg.startsWith("~/")) {
            return home.resolve(arg.substring(2)).normalize();
        }
        if (arg.startsWith("~")) {
            int slash = arg.indexOf('/');
            String user = slash < 0 ? arg.substring(1) : arg.substring(1, slash);
            Path userHome = (home.getParent() == null ? home : home.getParent()).resolve(user);
            return slash < 0 ? userHome : userHome.resolve(arg.substring(slash + 1)).normalize();
        }
        Path p = Path.of(arg);
        return p.isAbsolute() ? p.normalize() : baseDir.resolve(p).normalize();
    }

    /** {@link #expand(String, Path, Path)} with this process's {@code user.home}. */
    public static Path expand(String arg, Path baseDir) {
        return expand(arg, baseDir, Path.of(System.getProperty("user.home")));
    }
}
