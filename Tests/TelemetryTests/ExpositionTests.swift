import Telemetry
import Testing

@Suite struct ExpositionTests {
    let responder = """
        # TYPE meiduo_email_http_requests_total counter
        meiduo_email_http_requests_total{route="/emails/",method="PUT",status="200"} 3
        # TYPE meiduo_email_outbox_messages gauge
        meiduo_email_outbox_messages{status="queued"} 4.0
        # TYPE meiduo_email_http_request_duration_seconds histogram
        meiduo_email_http_request_duration_seconds_bucket{route="/emails/",le="0.005"} 1
        meiduo_email_http_request_duration_seconds_bucket{route="/emails/",le="+Inf"} 3
        meiduo_email_http_request_duration_seconds_sum{route="/emails/"} 0.25
        meiduo_email_http_request_duration_seconds_count{route="/emails/"} 3

        """
    let retired = """
        # TYPE meiduo_email_http_requests_total counter
        meiduo_email_http_requests_total{route="/emails/",method="PUT",status="200"} 2
        meiduo_email_http_requests_total{route="/info/",method="GET",status="200"} 7
        # TYPE meiduo_email_http_request_duration_seconds histogram
        meiduo_email_http_request_duration_seconds_bucket{route="/emails/",le="0.005"} 2
        meiduo_email_http_request_duration_seconds_bucket{route="/emails/",le="+Inf"} 2
        meiduo_email_http_request_duration_seconds_sum{route="/emails/"} 0.0075
        meiduo_email_http_request_duration_seconds_count{route="/emails/"} 2

        """

    @Test func theSameSeriesFromSeveralProcessesAreSummedUnderOneTypeLine() {
        var merged = Exposition()
        merged.add(Array(responder.utf8))
        merged.add(Array(retired.utf8))
        let text = String(decoding: merged.rendered(help: ["meiduo_email_outbox_messages": "Messages in the outbox."]), as: UTF8.self)
        #expect(
            text == """
                # TYPE meiduo_email_http_requests_total counter
                meiduo_email_http_requests_total{route="/emails/",method="PUT",status="200"} 5
                meiduo_email_http_requests_total{route="/info/",method="GET",status="200"} 7
                # HELP meiduo_email_outbox_messages Messages in the outbox.
                # TYPE meiduo_email_outbox_messages gauge
                meiduo_email_outbox_messages{status="queued"} 4
                # TYPE meiduo_email_http_request_duration_seconds histogram
                meiduo_email_http_request_duration_seconds_bucket{route="/emails/",le="0.005"} 3
                meiduo_email_http_request_duration_seconds_bucket{route="/emails/",le="+Inf"} 5
                meiduo_email_http_request_duration_seconds_sum{route="/emails/"} 0.2575
                meiduo_email_http_request_duration_seconds_count{route="/emails/"} 5

                """)
        #expect(merged.value(#"meiduo_email_http_requests_total{route="/info/",method="GET",status="200"}"#) == 7)
    }

    @Test func aDeadProcessLeavesItsCountsButNotItsGauges() {
        var retired = Exposition()
        retired.add(Array(responder.utf8), kinds: [.counter, .histogram])
        #expect(retired.value(#"meiduo_email_outbox_messages{status="queued"}"#) == nil)
        #expect(retired.value(#"meiduo_email_http_requests_total{route="/emails/",method="PUT",status="200"}"#) == 3)
        #expect(retired.value(#"meiduo_email_http_request_duration_seconds_count{route="/emails/"}"#) == 3)
    }

    @Test func malformedLinesAreSkipped() {
        var merged = Exposition()
        merged.add(Array("# TYPE a counter\na 1\nnot a sample\na{x=\"1\"} nope\n\n# comment\na 2\n".utf8))
        #expect(merged.value("a") == 3)
    }
}
