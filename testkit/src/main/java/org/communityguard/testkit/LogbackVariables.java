package org.communityguard.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The environment variables a program's {@code logback.xml} reads ({@code ${HUB_LOG_LEVEL:-INFO}}):
 * not settings of its Config, so docs/configuration.md lists them in a table of their own
 * (deploy/config-reference.sh), which each module's ConfigTest checks with this.
 */
public final class LogbackVariables {

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Z_]+):-([^}]*)}");

    private LogbackVariables() {
    }

    /** The start of each variable's row in that table: {@code | `NAME` | `DEFAULT` |}. */
    public static List<String> documentationRows(Path logbackXml) throws IOException {
        Matcher m = VARIABLE.matcher(Files.readString(logbackXml));
        List<String> rows = new ArrayList<>();
        while (m.find()) {
            rows.add("| `" + m.group(1) + "` | `" + m.group(2) + "` |");
        }
        return rows;
    }
}
