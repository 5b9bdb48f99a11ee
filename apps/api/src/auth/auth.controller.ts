import { Body, Controller, Get, Headers, HttpCode, Post, UnauthorizedException, UseGuards } from '@nestjs/common';
import { Throttle, ThrottlerGuard } from '@nestjs/throttler';
import { loginRequestSchema, type LoginRequest } from '@rpm/contracts';
import { AuthService } from './auth.service';
import { CurrentUser, type AuthenticatedUser } from './current-user';
import { Public } from './public.decorator';

@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  /** Rate-limited per address: ten attempts a minute, then 429. */
  @Public()
  @UseGuards(ThrottlerGuard)
  @Throttle({ default: { limit: 10, ttl: 60_000 } })
  @Post('login')
  @HttpCode(200)
  async login(@Body({ schema: loginRequestSchema }) body: LoginRequest): Promise<{ token: string; expiresAt: string }> {
    const session = await this.auth.login(body.email, body.password);
    if (!session) throw new UnauthorizedException('wrong e-mail or password');
    return { token: session.token, expiresAt: session.expiresAt.toISOString() };
  }

  /** Who the token belongs to, for the page's header. */
  @Get('me')
  async me(@CurrentUser() user: AuthenticatedUser): Promise<{ id: string; email: string; displayName: string; role: string }> {
    return this.auth.profile(user.id);
  }

  @Post('logout')
  @HttpCode(204)
  async logout(@Headers('authorization') authorization: string): Promise<void> {
    await this.auth.logout(authorization.slice('Bearer '.length));
  }
}
