import EmailFlow
import Settings
import Views

/// What every request thread shares, loaded and checked once at start-up so that a missing
/// template stops `serve` with one clear line.
public struct Resources: Sendable {
    public let settings: Settings
    let templates: Templates
    let assets: StaticAssets

    /// Every template the routes render.
    static let requiredTemplates = ["layout", "error", "login", "info", "verify_confirm"] + VerificationMail.templates
        + NoticeMail.templates

    public init(settings: Settings) throws {
        self.settings = settings
        templates = try Templates(directory: settings.templatesDirectory, required: Self.requiredTemplates)
        assets = try StaticAssets(directory: settings.templatesDirectory)
    }
}
