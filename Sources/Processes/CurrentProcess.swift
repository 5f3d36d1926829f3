internal import CLinux
import Glibc

/// Things a process does to itself.
public enum CurrentProcess {
    public static var id: Int32 { getpid() }

    /// Ends the process at once with `status`.
    public static func exit(_ status: Int32) -> Never {
        Glibc.exit(status)
    }

    /// Lowers this process's CPU priority (a higher niceness yields to others).
    public static func setNiceness(_ niceness: Int32) {
        setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness)
    }

    /// Keeps other processes of the same user from reading this one's memory, environment or
    /// descriptors through /proc or ptrace.
    public static func forbidInspection() {
        _ = prctl_set_dumpable(0)
    }
}
