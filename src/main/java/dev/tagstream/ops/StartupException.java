package dev.tagstream.ops;

/** A start-up check failed; the message is one line that names the problem and the fix. */
public final class StartupException extends Exception {
    public StartupException(String message) {
        super(message);
    }

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
