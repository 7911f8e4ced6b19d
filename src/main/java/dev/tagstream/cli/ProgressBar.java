package dev.tagstream.cli;

import java.io.PrintStream;

/** A one-line progress bar on a terminal; silent when output is not a terminal, so logs stay clean. */
final class ProgressBar {
    private final PrintStream out;
    private final int total;
    private final boolean enabled;
    private int done;

    ProgressBar(PrintStream out, int total) {
        this.out = out;
        this.total = total;
        this.enabled = System.console() != null && total > 1;
    }

    void step() {
        done++;
        if (enabled) {
            int width = 30;
            int filled = (int) ((long) done * width / Math.max(1, total));
            out.print("\r[" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + done + "/" + total);
            out.flush();
        }
    }

    void clear() {
        if (enabled) {
            out.print("\r" + " ".repeat(50) + "\r");
            out.flush();
        }
    }
}
