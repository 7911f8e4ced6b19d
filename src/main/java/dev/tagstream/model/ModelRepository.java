package dev.tagstream.model;

/** Resolves requested model names and hands out loaded classifiers. Closing it closes every session. */
public interface ModelRepository extends AutoCloseable {
    /**
     * Maps a requested name (trimmed, case-sensitive) through aliases and the allow-list to a catalog name.
     *
     * @throws UnknownModelException if the name is not in the catalog or not allowed
     */
    String resolve(String requested) throws UnknownModelException;

    /**
     * The loaded classifier for a catalog name, loading (and verifying) it on first use if needed.
     *
     * @throws ModelUnavailableException if its file is missing, corrupt, of the wrong shape or cannot be loaded
     */
    Classifier get(String catalogName) throws ModelUnavailableException;

    @Override
    void close();
}
