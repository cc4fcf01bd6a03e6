package org.communityguard.testkit;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Where the local PostgreSQL binaries are and whether TimescaleDB is installed next to them. */
record PostgresInstall(Path binDir, Path shareDir) {

    /** Overrides the search below, for a PostgreSQL in an unusual place. */
    static final String BINDIR_VARIABLE = "TESTKIT_PG_BINDIR";

    static Optional<PostgresInstall> find() {
        for (Path binDir : candidateBinDirs()) {
            if (Files.isExecutable(binDir.resolve("initdb")) && Files.isExecutable(binDir.resolve("postgres"))) {
                return Optional.of(new PostgresInstall(binDir, shareDirOf(binDir)));
            }
        }
        return Optional.empty();
    }

    Path binary(String name) {
        return binDir.resolve(name);
    }

    /** The major version of the server binary ({@code postgres --version}), 0 when it cannot be told. */
    int majorVersion() {
        try {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\(PostgreSQL\\) (\\d+)")
                    .matcher(Processes.run(Path.of("/"), 10, List.of(binary("postgres").toString(), "--version")));
            return m.find() ? Integer.parseInt(m.group(1)) : 0;
        } catch (RuntimeException e) {
            return 0;
        }
    }

    boolean timescaleInstalled() {
        return Files.exists(shareDir.resolve("extension").resolve("timescaledb.control"));
    }

    /** In order: the override, pg_config on the PATH, Debian's /usr/lib/postgresql/N/bin (highest N first). */
    private static List<Path> candidateBinDirs() {
        List<Path> candidates = new ArrayList<>();
        String override = System.getenv(BINDIR_VARIABLE);
        if (override != null && !override.isBlank()) {
            candidates.add(Path.of(override));
        }
        onPath("pg_config").flatMap(pgConfig -> pgConfig(pgConfig, "--bindir")).ifPresent(candidates::add);
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                versions.filter(dir -> dir.getFileName().toString().matches("\\d+"))
                        .sorted(Comparator.comparingInt((Path dir) -> Integer.parseInt(dir.getFileName().toString())).reversed())
                        .forEach(dir -> candidates.add(dir.resolve("bin")));
            } catch (java.io.IOException e) {
                // An unreadable directory just offers no candidates.
            }
        }
        candidates.add(Path.of("/usr/local/pgsql/bin"));
        return candidates;
    }

    /**
     * The share directory (extension control files live in its "extension" subdirectory). Debian
     * ships pg_config with the server only in the -dev package, so fall back to its layout.
     */
    private static Path shareDirOf(Path binDir) {
        Path ownPgConfig = binDir.resolve("pg_config");
        if (Files.isExecutable(ownPgConfig)) {
            Optional<Path> shareDir = pgConfig(ownPgConfig, "--sharedir");
            if (shareDir.isPresent()) {
                return shareDir.get();
            }
        }
        Path versionDir = binDir.getParent();
        return Path.of("/usr/share/postgresql").resolve(versionDir.getFileName());
    }

    private static Optional<Path> pgConfig(Path pgConfig, String option) {
        try {
            String out = Processes.run(Path.of("/"), 10, List.of(pgConfig.toString(), option)).trim();
            return out.isEmpty() ? Optional.empty() : Optional.of(Path.of(out));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
