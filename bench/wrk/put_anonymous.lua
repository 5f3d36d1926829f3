-- PUT /emails/ with no session: the 4101 path.
wrk.method = "PUT"
wrk.body = '{"email":"someone@bench.com"}'
wrk.headers["Content-Type"] = "application/json"
