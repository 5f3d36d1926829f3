import ArgumentParser
import Auth
import Processes
import Store

struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Add users and set passwords. Passwords are read from standard input.",
        subcommands: [Add.self, Passwd.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user; the password is read from standard input.")

        @Argument(help: "Login name: letters, digits and @.+-_, at most 150 characters.")
        var username: String

        @Option(help: "11-digit mainland mobile number, unique per user.")
        var mobile: String

        func validate() throws {
            guard UserInput.isValidUsername(username) else {
                throw ValidationError("username must be 1-150 letters, digits or @.+-_ characters")
            }
            guard MobileNumber.isValid(mobile) else { throw ValidationError("mobile must match 1[3-9] followed by 9 digits") }
        }

        func run() throws {
            let settings = Startup.settings()
            let hash = PasswordHasher(iterations: settings.sessions.passwordIterations).hash(UserInput.readPassword())
            do {
                let id = try Startup.database(settings.database).run {
                    try Users.create(username: username, mobile: mobile, passwordHash: hash, on: $0)
                }
                print("added user \(username) (id \(id))")
            } catch let error as DatabaseError where error.isDuplicateKey {
                Startup.fail("username \(username) or mobile \(mobile) is already taken")
            } catch {
                Startup.fail("cannot add user: \(error)")
            }
        }
    }

    struct Passwd: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a user's password, read from standard input; every session the user has ends.")

        @Argument var username: String

        func run() throws {
            let settings = Startup.settings()
            let hash = PasswordHasher(iterations: settings.sessions.passwordIterations).hash(UserInput.readPassword())
            let changed: Bool
            do {
                changed = try Startup.database(settings.database).transaction {
                    try Users.setPassword(username: username, passwordHash: hash, in: $0)
                }
            } catch {
                Startup.fail("cannot set password: \(error)")
            }
            guard changed else { Startup.fail("no user named \(username)") }
            print("password set for \(username); their sessions are ended")
        }
    }
}

enum UserInput {
    static func isValidUsername(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 150
            && name.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || "@.+-_".unicodeScalars.contains($0) }
    }

    /// The password from standard input (first line), never from the command line where other
    /// users could read it in the process list. On a terminal, typing is not echoed.
    static func readPassword() -> String {
        guard let password = Terminal.readSecretLine(prompt: "Password: "), !password.isEmpty else {
            Startup.fail("no password given on standard input")
        }
        return password
    }
}
