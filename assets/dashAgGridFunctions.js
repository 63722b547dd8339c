/* Norwegian number formatting for dash-ag-grid cells, the same conventions as
   dashboard/formatting.py: U+00A0 between thousands, decimal comma, hyphen-minus,
   '–' for missing, no-break space before 'kr' and '%'. Used by components.data_grid. */
(function () {
  var dagfuncs = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});
  var NBSP = "\u00a0";
  var MISSING = "\u2013";

  function isMissing(v) {
    return v === null || v === undefined || v === "" || (typeof v === "number" && !isFinite(v));
  }

  function fmt(v, decimals) {
    if (isMissing(v)) return MISSING;
    var n = Number(v);
    if (!isFinite(n)) return String(v);
    var text = Math.abs(n).toFixed(decimals);
    var parts = text.split(".");
    var whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);
    var out = parts.length > 1 ? whole + "," + parts[1] : whole;
    if (n < 0 && Number(text) !== 0) out = "-" + out;
    return out;
  }

  dagfuncs.nbInt = function (v) { return fmt(v, 0); };
  dagfuncs.nbDecimal = function (v) { return fmt(v, 1); };
  dagfuncs.nbKr = function (v) { return isMissing(v) ? MISSING : fmt(v, 0) + NBSP + "kr"; };
  dagfuncs.nbPct = function (v) { return isMissing(v) ? MISSING : fmt(Number(v) * 100, 1) + NBSP + "%"; };
})();
