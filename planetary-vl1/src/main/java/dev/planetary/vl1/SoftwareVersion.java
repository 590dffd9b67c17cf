package dev.planetary.vl1;

/** Software version major.minor.patch, one byte each, as carried by HELLO and OK(HELLO) (§3.7). */
public record SoftwareVersion(int major, int minor, int patch) {
    public SoftwareVersion {
        Vl1Message.requireU8(major, "software major version");
        Vl1Message.requireU8(minor, "software minor version");
        Vl1Message.requireU8(patch, "software patch version");
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch;
    }
}
