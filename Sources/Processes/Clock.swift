import Glibc

/// Time as the service reads it: wall-clock seconds for tokens, cookies and logs, a monotonic
/// clock for measuring and waiting.
public enum Clock {
    /// Unix seconds, as Python's `int(time.time())`.
    public static func unixSeconds() -> Int64 {
        Int64(time(nil))
    }

    /// Unix time with sub-second precision.
    public static func unixTime() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// Seconds from an arbitrary start that never jumps.
    public static func monotonic() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// `2026-11-25T09:00:55Z` (with milliseconds when asked).
    public static func iso8601(_ time: Double, milliseconds: Bool = false) -> String {
        var seconds = time_t(time.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int = 2) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        var text =
            "\(parts.tm_year + 1900)-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday))T"
            + "\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec))"
        if milliseconds {
            text += "." + pad(Int32((time - time.rounded(.down)) * 1000), 3)
        }
        return text + "Z"
    }
}
