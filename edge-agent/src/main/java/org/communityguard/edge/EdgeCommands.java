package org.communityguard.edge;

import java.io.PrintStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import org.communityguard.edge.config.Config;
import org.communityguard.edge.config.ConfigException;
import org.communityguard.edge.config.EdgeSettings;
import org.communityguard.edge.identity.DeviceAuth;
import org.communityguard.edge.identity.DeviceKeys;
import org.communityguard.edge.identity.MosquittoAccounts;
import org.communityguard.edge.site.Site;

/**
 * The installer's commands besides running the agent (docs/edge-install.md), on the same
 * settings as the agent:
 * <pre>
 *   edge-agent [--config edge.yaml] --provision-device ID [ID ...]   new keys, printed once
 *   edge-agent [--config edge.yaml] --provision-missing              a key for every auth: psk device without one
 *   edge-agent [--config edge.yaml] --mosquitto-accounts DIR         DIR/communityguard.acl and .passwd
 * </pre>
 */
final class EdgeCommands {

    static final String USAGE = """
            usage: edge-agent [--config edge.yaml]                          run the agent (settings: docs/configuration.md)
                   edge-agent --config-reference                            the settings table
                   edge-agent [--config edge.yaml] --provision-device ID... a new key for each device, added to device.keys-file and printed once
                   edge-agent [--config edge.yaml] --provision-missing      a new key for every device of the site file with auth: psk and no key
                   edge-agent [--config edge.yaml] --mosquitto-accounts DIR write Mosquitto's communityguard.acl and communityguard.passwd into DIR
            """;

    private EdgeCommands() {
    }

    static boolean isCommand(String arg) {
        return arg.equals("--provision-device") || arg.equals("--provision-missing") || arg.equals("--mosquitto-accounts");
    }

    /** @return the exit code: 0 done, 2 a usage or configuration error (said on {@code err}) */
    static int run(List<String> args, Config config, PrintStream out, PrintStream err) {
        String command = args.get(0);
        List<String> operands = args.subList(1, args.size());
        try {
            switch (command) {
                case "--provision-device" -> {
                    if (operands.isEmpty()) {
                        throw new ConfigException("--provision-device needs one or more device ids");
                    }
                    provision(config, operands, out, err);
                }
                case "--provision-missing" -> {
                    if (!operands.isEmpty()) {
                        throw new ConfigException("--provision-missing takes no arguments");
                    }
                    Site site = site(config);
                    DeviceKeys keys = keys(config, true);
                    provision(config, site.devices().values().stream()
                            .filter(d -> d.auth() == DeviceAuth.PSK && keys.key(d.id()).isEmpty())
                            .map(Site.Device::id).sorted().toList(), out, err);
                }
                case "--mosquitto-accounts" -> {
                    if (operands.size() != 1) {
                        throw new ConfigException("--mosquitto-accounts needs the directory to write into");
                    }
                    List<Path> written = MosquittoAccounts.write(Path.of(operands.get(0)), config.get(EdgeSettings.BROKER_USERNAME),
                            config.get(EdgeSettings.BROKER_PASSWORD), keys(config, false), new SecureRandom());
                    err.println("wrote " + written.get(0) + " and " + written.get(1)
                            + "; chown them to mosquitto, then reload it: systemctl reload mosquitto");
                }
                default -> throw new ConfigException("unknown command " + command);
            }
            return 0;
        } catch (ConfigException e) {
            err.println("edge-agent: " + e.getMessage());
            return 2;
        }
    }

    private static void provision(Config config, List<String> ids, PrintStream out, PrintStream err) {
        Path file = keysFile(config);
        List<String> lines = DeviceKeys.provision(file, ids, new SecureRandom());
        lines.forEach(out::println);
        err.println(lines.size() + " new keys added to " + file + ", shown this once: id:key (hex). Give each device its key:"
                + " DTLS PSK identity = id, key = the bytes; MQTT user = id, password = the hex text."
                + " Then restart the agent and, with Mosquitto, write its accounts again (--mosquitto-accounts).");
    }

    private static Path keysFile(Config config) {
        String file = config.get(EdgeSettings.DEVICE_KEYS_FILE);
        if (file.isEmpty()) {
            throw new ConfigException(EdgeSettings.DEVICE_KEYS_FILE.envName() + " is not set: where to keep the device keys");
        }
        return Path.of(file);
    }

    private static DeviceKeys keys(Config config, boolean mayBeMissing) {
        Path file = keysFile(config);
        return mayBeMissing && !file.toFile().exists() ? DeviceKeys.empty() : DeviceKeys.load(file);
    }

    private static Site site(Config config) {
        String file = config.get(EdgeSettings.SITE_FILE);
        if (file.isEmpty()) {
            throw new ConfigException(EdgeSettings.SITE_FILE.envName() + " is not set: the site file says which devices need keys");
        }
        return Site.load(Path.of(file), config.get(EdgeSettings.GATEWAY_ID));
    }
}
