package dev.changesetsyncer.cli;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/** Default replica names: {@code <host>-<pid>}. */
final class WorkerIds {
    private WorkerIds() {}

    static String forThisProcess() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "worker";
        }
        String name = (host + "-" + ProcessHandle.current().pid()).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-");
        return name.length() > 63 ? name.substring(name.length() - 63) : name;
    }
}
