// The web port's URL paths: one place for the server's routes and the pages' scripts.
export const JSON_PATH = "/scoreboard.json";
export const EVENTS_PATH = "/events";
/** The play page, and the WebSocket its script opens. */
export const PLAY_PATH = "/play";
export const PLAY_SOCKET_PATH = "/play/ws";
