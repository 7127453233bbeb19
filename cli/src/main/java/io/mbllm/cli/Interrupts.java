package io.mbllm.cli;

import sun.misc.Signal;

/**
 * Ctrl-C (SIGINT) for the interactive {@code run}: replaces the JVM's default (exit) with an action, such as
 * stopping the answer being streamed. Where the platform has no SIGINT the default is kept.
 */
final class Interrupts {
    private Interrupts() {
    }

    /** Runs {@code action} on each SIGINT instead of exiting. */
    static void onCtrlC(Runnable action) {
        try {
            Signal.handle(new Signal("INT"), s -> action.run());
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // no SIGINT here: Ctrl-C keeps ending the program
        }
    }
}
