/// The service's version, shown in `meiduo_email_build_info`.
public enum Version {
    public static let current = "0.7.0"
}
