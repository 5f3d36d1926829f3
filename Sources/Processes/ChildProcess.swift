internal import CLinux
import Glibc

/// Starting our own executable again with a subcommand (fork + exec through posix_spawn), and
/// reading what became of it.
///
/// Why exec and not a bare fork: the Swift runtime, Foundation, Connector/C, libcurl and
/// OpenSSL keep locks and state of their own, and none of them has fork handlers, so a child
/// forked from a process where any other thread ever ran may inherit a lock that is never
/// released. An exec'd child starts clean and initialises those libraries itself, whatever the
/// supervisor is doing; it costs ~8 ms once per child, and a restarted child is as new as the
/// first.
public enum ChildProcess {
    /// The running executable, so children are the same build as their supervisor.
    public static let executable: String = {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        precondition(length > 0, "cannot read /proc/self/exe")
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()

    /// Starts `executable arguments…` with `descriptors` (parent fd → child fd) inherited, every
    /// other descriptor closed by CLOEXEC, a clear signal mask and default signal actions.
    public static func spawn(_ arguments: [String], descriptors: [(FileDescriptor, Int32)], environment: [String: String]) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (from, to) in descriptors {
            posix_spawn_file_actions_adddup2(&actions, from.rawValue, to)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGCHLD, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.sorted(by: { $0.key < $1.key }).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else { throw SystemError("posix_spawn", code: result) }
        return pid
    }

    /// For a child: ask the kernel to send SIGTERM if the supervisor dies, and leave at once if
    /// it already has.
    public static func followParent(_ supervisor: Int32) {
        _ = prctl_set_parent_death_signal(SIGTERM)
        if getppid() != supervisor { exit(0) }
    }
}
