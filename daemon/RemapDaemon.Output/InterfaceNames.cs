namespace RemapDaemon.Output;

/// <summary>Interface names for pcapng's if_name, as the host has them now.</summary>
public static class InterfaceNames
{
    /// <summary>
    /// The name of <paramref name="ifindex"/> in this network namespace, from
    /// /sys/class/net/*/ifindex; null when no interface has it (it went away, or ifindex 0).
    /// Reads sysfs: call it once per interface, not per packet.
    /// </summary>
    public static string? FromSysfs(int ifindex)
    {
        const string root = "/sys/class/net";
        if (ifindex <= 0 || !Directory.Exists(root))
        {
            return null;
        }

        foreach (string dir in Directory.EnumerateDirectories(root))
        {
            try
            {
                string text = File.ReadAllText(Path.Combine(dir, "ifindex")).Trim();
                if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int index) && index == ifindex)
                {
                    return Path.GetFileName(dir);
                }
            }
            catch (IOException)
            {
                // The interface went away while we looked.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return null;
    }
}
