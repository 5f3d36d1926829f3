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
    /// descriptors through /proc or ptrace; fails if that cannot be done, or if a tracer already
    /// attached (before this) could still read everything.
    public static func forbidInspection() throws {
        guard prctl_set_dumpable(0) == 0 else { throw SystemError("prctl(PR_SET_DUMPABLE, 0)") }
        if let status = AtomicFile.read("/proc/self/status") {
            let text = String(decoding: status, as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("TracerPid:") }),
                line.dropFirst("TracerPid:".count).trimmingPrefix(while: { $0 == " " || $0 == "\t" }) != "0"
            {
                throw SystemError("refusing to run while another process traces this one (\(line))", code: EPERM)
            }
        }
    }
}
