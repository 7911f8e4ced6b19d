package dev.tagstream.cli;

import picocli.CommandLine;

/** Reads the version Maven wrote into the jar manifest. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return new String[] {"tagstream " + (v == null ? "(development build)" : v)};
    }
}
