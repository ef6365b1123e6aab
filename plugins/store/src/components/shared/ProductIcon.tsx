import BuildIcon from '@material-ui/icons/Build';
import CodeIcon from '@material-ui/icons/Code';
import DescriptionIcon from '@material-ui/icons/Description';
import ExtensionIcon from '@material-ui/icons/Extension';
import InsertChartIcon from '@material-ui/icons/InsertChart';
import LockIcon from '@material-ui/icons/Lock';
import MemoryIcon from '@material-ui/icons/Memory';
import StorageIcon from '@material-ui/icons/Storage';
import WebIcon from '@material-ui/icons/Web';
import { ComponentType } from 'react';

const ICONS: Record<string, ComponentType<{ fontSize?: 'large' | 'small' }>> = {
  build: BuildIcon,
  cache: MemoryIcon,
  code: CodeIcon,
  docs: DescriptionIcon,
  lock: LockIcon,
  science: InsertChartIcon,
  storage: StorageIcon,
  web: WebIcon,
  wordpress: WebIcon,
};

/** The icon a product descriptor names, or a generic one. */
export function ProductIcon(props: {
  icon?: string;
  fontSize?: 'large' | 'small';
}) {
  const Icon = (props.icon && ICONS[props.icon]) || ExtensionIcon;
  return <Icon fontSize={props.fontSize} />;
}
