import Glibc

/// Users and groups from the system's account database.
public enum SystemAccounts {
    public struct Account: Sendable, Equatable {
        public let name: String
        public let uid: UInt32
        public let gid: UInt32
    }

    public static func user(named name: String) -> Account? {
        guard let entry = getpwnam(name) else { return nil }
        return Account(name: name, uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
    }

    public static func groupID(named name: String) -> UInt32? {
        getgrnam(name)?.pointee.gr_gid
    }

    public static var isRoot: Bool { geteuid() == 0 }
}
