import { Body, Controller, Get, Headers, HttpCode, HttpException, HttpStatus, Ip, Post, UnauthorizedException } from '@nestjs/common';
import { loginRequestSchema, type LoginRequest } from '@rpm/contracts';
import { AuthService } from './auth.service';
import { CurrentUser, type AuthenticatedUser } from './current-user';
import { LoginLimits } from './login-limits';
import { Public } from './public.decorator';

@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly limits: LoginLimits,
  ) {}

  /**
   * 429 once an account has failed too often (whether or not it exists) or an address has failed far
   * more often; see LoginLimits. An unknown e-mail and a wrong password answer alike.
   */
  @Public()
  @Post('login')
  @HttpCode(200)
  async login(@Body({ schema: loginRequestSchema }) body: LoginRequest, @Ip() address: string): Promise<{ token: string; expiresAt: string }> {
    const refusal = await this.limits.reserve(body.email, address);
    if (refusal) throw new HttpException(`too many failed sign-ins ${refusal === 'account' ? 'for this account' : 'from this address'}: wait a few minutes and try again`, HttpStatus.TOO_MANY_REQUESTS);
    const session = await this.auth.login(body.email, body.password);
    if (!session) throw new UnauthorizedException('wrong e-mail or password');
    await this.limits.succeeded(body.email, address);
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
