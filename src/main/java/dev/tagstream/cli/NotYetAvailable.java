package dev.tagstream.cli;

/** Exit code and message for commands that exist but are not built yet: honest, never a fake result. */
final class NotYetAvailable {
    static final int EXIT_CODE = 3;

    private NotYetAvailable() {}

    static int report(String command, String issue) {
        System.err.println("tagstream " + command + " is not yet available (tracked in " + issue
                + "); see README.md, section Status.");
        return EXIT_CODE;
    }
}
