import { IsEmail, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import type { OrganizationView } from '../../organizations/organization.view';
import type { UserView } from '../../users/user.view';
import type { WorkspaceView } from '../../workspaces/dto/workspace.dto';

export class RegisterDto {
  @IsEmail({}, { message: 'email must be an e-mail address' })
  @MaxLength(320)
  email!: string;

  /** Length and commonness are checked by the password policy (422 with rule minLength/notCommon). */
  @IsString()
  @MaxLength(1024)
  password!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  organizationName!: string;
}

export class LoginDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(320)
  email!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  password!: string;
}

export class RefreshDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  refreshToken!: string;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  /** Seconds until the access token expires. */
  expiresIn: number;
}

export interface RegistrationResult extends TokenPair {
  user: UserView;
  organization: OrganizationView;
  workspace: WorkspaceView;
}

export interface MeView {
  user: UserView;
  organization: OrganizationView;
  membership: { role: string; workspaceIds: string[] | null };
}
