import { Body, Controller, HttpCode, Post, UnauthorizedException } from '@nestjs/common';
import { loginRequestSchema, type LoginRequest } from '@rpm/contracts';
import { AuthService } from './auth.service';
import { Public } from './public.decorator';

@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  async login(@Body({ schema: loginRequestSchema }) body: LoginRequest): Promise<{ token: string; expiresAt: string }> {
    const session = await this.auth.login(body.email, body.password);
    if (!session) throw new UnauthorizedException('wrong e-mail or password');
    return { token: session.token, expiresAt: session.expiresAt.toISOString() };
  }
}
