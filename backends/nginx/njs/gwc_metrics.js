/*
 * Prometheus text exposition of nginx's stub_status counters. These are per nginx
 * instance, not per route: njs 0.7 has no shared memory to count in, and stub_status
 * is the only cross-worker counter set nginx open source keeps.
 */
var SERIES = [
    ['nginx_connections_active', 'gauge', 'Client connections currently open.'],
    ['nginx_connections_accepted_total', 'counter', 'Client connections accepted.'],
    ['nginx_connections_handled_total', 'counter', 'Client connections handled.'],
    ['nginx_http_requests_total', 'counter', 'Client requests received.'],
    ['nginx_connections_reading', 'gauge', 'Connections where nginx is reading the request header.'],
    ['nginx_connections_writing', 'gauge', 'Connections where nginx is writing the response.'],
    ['nginx_connections_waiting', 'gauge', 'Idle keepalive connections.']
];

function parse(text) {
    var n = text.match(/\d+/g);
    return n && n.length >= 7 ? n.slice(0, 7).map(Number) : null;
}

async function render(r) {
    // njs_policies.STUB_STATUS_URI: a URI no client request can name
    var reply = await r.subrequest('//_gwc/stub_status');
    var values = reply.status === 200 ? parse(reply.responseText) : null;
    if (values === null) {
        r.return(503, 'stub_status unavailable\n');
        return;
    }
    var lines = [];
    for (var i = 0; i < SERIES.length; i++) {
        lines.push('# HELP ' + SERIES[i][0] + ' ' + SERIES[i][2]);
        lines.push('# TYPE ' + SERIES[i][0] + ' ' + SERIES[i][1]);
        lines.push(SERIES[i][0] + ' ' + values[i]);
    }
    lines.push('# HELP nginx_up Whether nginx answered the status query.');
    lines.push('# TYPE nginx_up gauge');
    lines.push('nginx_up 1');
    r.headersOut['Content-Type'] = 'text/plain; version=0.0.4; charset=utf-8';
    r.return(200, lines.join('\n') + '\n');
}

export default {render};
