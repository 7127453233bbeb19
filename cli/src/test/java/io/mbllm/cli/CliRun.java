package io.mbllm.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;

import picocli.CommandLine;

/** Runs the mbllm command line in-process and captures its output. */
record CliRun(int exit, String out, String err) {
    static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new CliRun(exit, out.toString().replace("\r\n", "\n"), err.toString());
    }

    List<String> lines() {
        return Arrays.asList(out.split("\n"));
    }

    /** The first stdout line that starts with {@code prefix}. */
    String line(String prefix) {
        return lines().stream().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting with '" + prefix + "' in:\n" + out + "\nstderr:\n" + err));
    }

    /** The numbers in a line, in order. */
    static double[] numbers(String line) {
        return java.util.regex.Pattern.compile("-?\\d+(\\.\\d+)?(e-?\\d+)?").matcher(line).results()
                .mapToDouble(m -> Double.parseDouble(m.group())).toArray();
    }
}
