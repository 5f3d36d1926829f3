import HTTP
import Logging
import Store
import Views

/// The one place a failed request becomes a response. An `HTTPError` renders as its route
/// expects (JSON body or HTML page); a database failure becomes the route's own answer for
/// it (503 with `retry_after` when it was a conflict or a node not ready that outlasted the
/// retries); anything else (a view that cannot render too) is a 500 without internals. Whatever the
/// client is not told goes to the log, once, with where it arose.
struct ErrorRenderer {
    let templates: Templates
    let logger: Logger

    /// The answer when even the error page cannot render: fixed text, nothing of the failure.
    static let plainFailure = Response.html(
        "<!DOCTYPE html>\n<title>服务器内部错误</title>\n<h1>服务器内部错误</h1>\n", status: .internalServerError)

    /// Seconds a client is asked to wait after a conflict or a node that was not ready
    /// outlasted the retries: a Galera node rejoins, or the conflicting writers finish, in about that.
    static let databaseRetryAfter = 2

    func response(for error: any Error, route: Router<Handler>.Route, request: Request) -> Response {
        let answer: HTTPError
        switch error {
        case let error as HTTPError:
            if let cause = error.cause {
                log("failed at \(error.location): \(cause)", request)
            }
            answer = error
        case let error as DatabaseError where error.isBusy:
            log("failed after its retries: \(error)", request)
            answer = route.databaseFailure.databaseBusy(retryAfter: Self.databaseRetryAfter)
        case let error as DatabaseError:
            log("failed: \(error)", request)
            answer = route.databaseFailure
        default:
            log("failed: unexpected error: \(error)", request)
            answer = .internalError()
        }
        return render(answer, flavor: route.flavor, request: request)
    }

    func render(_ error: HTTPError, flavor: Flavor, request: Request) -> Response {
        var response: Response
        switch flavor {
        case .json:
            response = .json(error.code, error.message, status: error.status, fields: error.fields)
        case .html:
            do {
                response = try templates.page(ErrorPage(error: error), status: error.status)
            } catch {
                log("answered with a plain 500: the error page cannot render: \(error)", request)
                return Self.plainFailure
            }
        }
        response.headers.append(contentsOf: error.headers)
        response.cookies += error.cookies
        return response
    }

    private func log(_ what: String, _ request: Request) {
        logger.error("\(request.method) \(request.path) \(what)", metadata: ["request_id": "\(request.requestID)"])
    }
}
