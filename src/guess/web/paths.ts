// The scoreboard's URL paths: one place for the server's routes and the page's script.
export const JSON_PATH = "/scoreboard.json";
export const EVENTS_PATH = "/events";
