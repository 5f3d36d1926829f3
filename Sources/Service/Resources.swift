import Auth
import EmailFlow
import Settings
import Views

/// What every request thread shares, loaded and checked once at start-up so that a missing
/// template stops `serve` with one clear line.
public struct Resources: Sendable {
    public let settings: Settings
    let templates: Templates
    let assets: StaticAssets

    /// The templates of every view the routes render, and the layout the pages share.
    static let requiredTemplates =
        ["layout"]
        + ([
            ErrorPage.self, LoginPage.self, InfoPage.self, VerifyConfirmPage.self, ResentPage.self, UndoConfirmPage.self,
            UndoDonePage.self, VerificationMail.Body.self, NoticeMail.Body.self,
        ] as [any View.Type]).flatMap { $0.templates }

    public init(settings: Settings) throws {
        self.settings = settings
        templates = try Templates(directory: settings.templatesDirectory, required: Self.requiredTemplates)
        assets = try StaticAssets(directory: settings.templatesDirectory)
    }
}
