package org.countersign.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine the figures were taken on. */
record Machine(String cpu, int cores, double ramGib, String java, String os) {
    static Machine describe() {
        var cpu = "unknown CPU";
        double ram = Double.NaN;
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(cpu);
            ram = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(0) / 1024.0 / 1024.0;
        } catch (IOException e) {
            // not Linux: say what we know
        }
        return new Machine(cpu, Runtime.getRuntime().availableProcessors(), ram,
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.version"));
    }

    /** The 1, 5 and 15 minute load averages: anything else running on the machine skews the figures. */
    static String loadAverage() {
        try {
            var parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " / " + parts[1] + " / " + parts[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    String oneLine() {
        return String.format("%s, %d cores, %.1f GiB RAM, %s, %s", cpu, cores, ramGib, java, os);
    }
}
