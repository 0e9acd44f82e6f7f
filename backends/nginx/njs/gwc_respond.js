/*
 * A route's fixed response, for routes with auth. nginx's `return` runs in the rewrite
 * phase, before auth_request gets a say, so on such routes the rewrite phase is ended
 * with `break` and the response comes from here, in the content phase, after auth.
 */
import util from 'gwc_util.js';

function handle(r) {
    var cfg = util.routeConfig(r).respond;
    if (cfg.body === null) {
        r.return(cfg.status);
        return;
    }
    r.headersOut['Content-Type'] = 'application/json';
    r.return(cfg.status, cfg.body);
}

export default {handle};
