import HTTP
import Logging
import Store
import Views

/// The one place a failed request becomes a response. An `HTTPError` renders as its route
/// expects (JSON body or HTML page); a database failure becomes the route's own answer for
/// it; anything else is a 500 without internals. Whatever the client is not told goes to the
/// log, with where it arose.
struct ErrorRenderer {
    let templates: Templates
    let logger: Logger

    func response(for error: any Error, route: Router<Handler>.Route, request: Request) -> Response {
        let answer: HTTPError
        let about: Logger.Metadata = ["request_id": "\(request.requestID)"]
        switch error {
        case let error as HTTPError:
            if let cause = error.cause {
                logger.error("\(request.method) \(request.path) failed at \(error.location): \(cause)", metadata: about)
            }
            answer = error
        case let error as DatabaseError:
            logger.error("\(request.method) \(request.path) failed: \(error)", metadata: about)
            answer = route.databaseFailure
        default:
            logger.error("\(request.method) \(request.path) failed: unexpected error: \(error)", metadata: about)
            answer = .internalError()
        }
        return render(answer, flavor: route.flavor)
    }

    func render(_ error: HTTPError, flavor: Flavor) -> Response {
        var response: Response
        switch flavor {
        case .json:
            response = .json(error.code, error.message, status: error.status, fields: error.fields)
        case .html:
            // A page that asks or reports (a 200) shows no status code; an error does.
            var values: [String: Any] = ["message": error.message]
            if error.status.code >= 400 { values["status"] = error.status.code }
            if let hint = error.hint { values["hint"] = hint }
            if let action = error.action {
                values["action"] = [
                    "post": action.method == .post, "path": action.path, "label": action.label,
                    "fields": action.fields.map { ["name": $0.name, "value": $0.value] as [String: Any] },
                ] as [String: Any]
            }
            response = templates.page("error", values, status: error.status)
        }
        response.headers.append(contentsOf: error.headers)
        response.cookies += error.cookies
        return response
    }
}
