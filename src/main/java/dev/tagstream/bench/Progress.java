package dev.tagstream.bench;

import java.io.PrintStream;

/**
 * A progress bar on stderr for runs that take minutes: redrawn in place on a terminal, one line per step
 * otherwise (so a log still shows how far it got).
 */
final class Progress {
    private final PrintStream out;
    private final int total;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private int done;

    Progress(PrintStream out, int total) {
        this.out = out;
        this.total = Math.max(1, total);
        this.terminal = System.console() != null;
    }

    /** Marks the start of a step, naming it, with the estimated time left from the steps so far. */
    void begin(String what) {
        long elapsed = (System.nanoTime() - start) / 1_000_000_000L;
        String eta = done == 0 ? "" : String.format(" ~%ds left", elapsed * (total - done) / done);
        int width = 24;
        int filled = done * width / total;
        String line = "[" + "#".repeat(filled) + ".".repeat(width - filled) + "] " + done + "/" + total + " "
                + elapsed + "s" + eta + "  " + what;
        if (terminal) {
            out.print("\r\033[K" + line);
        } else {
            out.println(line);
        }
        out.flush();
    }

    void step() {
        done++;
    }

    void finish() {
        long elapsed = (System.nanoTime() - start) / 1_000_000_000L;
        if (terminal) {
            out.print("\r\033[K");
        }
        out.println("[" + "#".repeat(24) + "] " + done + "/" + total + " done in " + elapsed + "s");
        out.flush();
    }
}
