// The portfolio tab inside Teams (bot/tab/page.py serves the page; it works without this).
// - Follows Teams' theme as it changes (the server already used the theme in the URL).
// - Fills "Mine prosjekter": asks Teams for the user's single sign-on token and gets the
//   section from /tab/mine, which checks the token (bot/auth/tab_token.py).
// Outside a Teams frame nothing is done: the page stays as the server rendered it.
(function () {
  "use strict";
  var root = document.documentElement;
  var themes = { default: "default", dark: "dark", contrast: "contrast" };

  function setTheme(theme) {
    root.setAttribute("data-theme", themes[theme] || "default");
  }

  function keptQuery() {
    var here = new URLSearchParams(window.location.search);
    var kept = new URLSearchParams();
    ["lang", "theme"].forEach(function (key) {
      if (here.get(key)) { kept.set(key, here.get(key)); }
    });
    return kept.toString();
  }

  function showMine(html) {
    var body = document.getElementById("mine-body");
    if (!body) { return; }
    var holder = document.createElement("div");
    holder.id = "mine-body";
    holder.innerHTML = html;       // our own server's fragment, every value escaped there
    body.replaceWith(holder);
  }

  function loadMine(teams) {
    if (!document.getElementById("mine-body")) { return Promise.resolve(); }
    return teams.authentication.getAuthToken().then(function (token) {
      return fetch("/tab/mine?" + keptQuery(), {
        headers: { Authorization: "Bearer " + token },
        credentials: "omit",
      });
    }, function () {
      return fetch("/tab/mine?" + keptQuery(), { credentials: "omit" });   // says: sign in
    }).then(function (response) {
      return response.text();
    }).then(showMine);
  }

  function start() {
    var teams = window.microsoftTeams;
    if (!teams) { return; }
    teams.app.initialize().then(function () {
      return teams.app.getContext();
    }).then(function (context) {
      setTheme(context && context.app ? context.app.theme : "default");
      teams.app.registerOnThemeChangeHandler(setTheme);
      teams.app.notifySuccess();
      return loadMine(teams);
    }).catch(function () {
      // Not hosted by Teams after all: the page as served is the page.
    });
  }

  // Teams hosts a tab in a frame. Only there is teams-js loaded: on its own it asks
  // Microsoft's CDN for the hosts it trusts, which a page opened outside Teams need not do.
  if (window.parent === window) { return; }
  var script = document.createElement("script");
  script.src = "/tab/static/vendor/MicrosoftTeams.min.js";
  script.onload = start;
  document.head.appendChild(script);
})();
