import { Injectable } from '@nestjs/common';
import { Observable, catchError, exhaustMap, filter, from, interval, map, of, take } from 'rxjs';
import { AuthService } from './auth.service';

/** How often a long-lived response (the alert stream) checks that its session still holds. */
export const SESSION_RECHECK_MS = 5_000;

/**
 * A token is checked when a request starts; a stream lives on for hours. This watches the session
 * behind a stream so that logout, expiry or a removed account ends it within seconds.
 */
@Injectable()
export class SessionWatch {
  constructor(private readonly auth: AuthService) {}

  /** Emits once, at most SESSION_RECHECK_MS after the token stops being valid. */
  ended(token: string): Observable<void> {
    return interval(SESSION_RECHECK_MS).pipe(
      // A database hiccup is not a logout: the next check decides.
      exhaustMap(() => from(this.auth.userForToken(token)).pipe(catchError(() => of('unknown' as const)))),
      filter((user) => user === null),
      take(1),
      map(() => undefined),
    );
  }
}
