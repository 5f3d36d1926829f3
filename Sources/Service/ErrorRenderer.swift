import HTTP
import Logging
import Store
import Views

/// The one place a thrown error becomes a response. Known client errors render as the route
/// expects (JSON body or HTML page); anything else is logged and answered without internals.
struct ErrorRenderer {
    let templates: Templates
    let logger: Logger

    func response(for error: Error, flavor: Flavor, request: Request) -> Response {
        let httpError: HTTPError
        switch error {
        case let error as HTTPError:
            if let cause = error.cause {
                logger.error("\(request.method) \(request.path) failed: \(cause)")
            }
            httpError = error
        case let error as DatabaseError:
            logger.error("database error on \(request.method) \(request.path): \(error)")
            httpError = HTTPError(.internalServerError, code: .database, "服务器繁忙，请稍后再试")
        default:
            logger.error("unexpected error on \(request.method) \(request.path): \(error)")
            httpError = .internalError
        }
        return render(httpError, flavor: flavor)
    }

    func render(_ error: HTTPError, flavor: Flavor) -> Response {
        var response: Response
        switch flavor {
        case .json:
            response = .json(error.code, error.message, status: error.status)
        case .html:
            response = templates.page("error", ["status": error.status.code, "message": error.message], status: error.status)
        }
        response.headers.append(contentsOf: error.headers)
        return response
    }
}
